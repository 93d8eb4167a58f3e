"""Custom actions for the Rasa assistant (rasa_sdk): thin, they read slots and return events.

The action server imports every module here at start, so nothing in this package may do work
at import time.
"""
