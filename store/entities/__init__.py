"""Entities across the corpus: stable ids and aliases, entity pages, timelines, consistency."""
