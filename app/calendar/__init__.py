"""Calendar feeds: the .ics of one event, the filtered public feed and the personal token feed."""
