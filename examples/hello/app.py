"""The demo app: the core plus the in-repo ``hello`` plugin.

Run it with ``make demo`` from the repository root, then open
http://127.0.0.1:8000/ .
"""

from corolla import App

# Pinned: the example plugin loads only where it is named.
app = App(plugins=["hello"])

if __name__ == "__main__":
    print("Corolla demo: serving on http://127.0.0.1:8000/ (Ctrl+C to stop)", flush=True)
    app.run("127.0.0.1", 8000)
