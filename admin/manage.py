"""Managers' pages for hubs, rooms, categories and staff (filled in by that work)."""
