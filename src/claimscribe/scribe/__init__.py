"""Scribe: a procedure dictation (audio or text) turned into structured facts and a draft claim."""
