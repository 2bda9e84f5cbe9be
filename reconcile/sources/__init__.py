"""Readers: bytes on disk -> a Layout (paragraphs, tables) -> the disclosure model."""
