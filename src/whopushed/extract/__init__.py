"""From a message to what it reports: language, places, weapons, counts, times, and whether
it is a launch report with a launch territory; every field with the span it came from."""
