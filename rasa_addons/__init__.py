"""Code that runs inside the Rasa server (its Python 3.10 environment), not in the project's."""
