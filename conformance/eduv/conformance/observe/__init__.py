"""Observe mode: read a source's data without changing it, and judge what it serves."""
