"""The lesson in the browser: a FastAPI app built by ``create_app(settings)``."""
