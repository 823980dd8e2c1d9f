"""The Corolla notes demo.

From the repository root: ``make demo`` (migrates the SQLite database in
instance/, then serves http://127.0.0.1:8000/). By hand, in this folder:

    corolla db upgrade
    corolla run

The app is the five standard plugins (routing, sessions, orm, forms,
templates) and the auth plugin from examples/plugins/auth, pinned in
corolla.toml. The code is in notesapp/: models.py (the Note table),
forms.py, views.py (the pages), api.py (the JSON API), pages.py (error pages).
"""

from notesapp import create_app

app = create_app()

if __name__ == "__main__":
    print("Serving the Corolla notes demo on http://127.0.0.1:8000/ (Ctrl+C to stop)", flush=True)
    app.run("127.0.0.1", 8000)
