"""Timetables for session leads (filled in by the timetable work)."""
