"""The bridge's application database: models, engine and repository functions."""
