"""What the tool hands to people: summaries, the static overview, later the dossier and exports."""
