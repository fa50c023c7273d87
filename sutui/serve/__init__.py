"""`sutui serve`: the app in a browser. Each browser session runs its own `python -m sutui`
behind textual-serve; this package binds the address, guards who may connect, and serves a
page that loads nothing from the internet. Imported only by `sutui serve`."""
