"""Materials: files and links attached to an event or one of its sessions, public or for participants."""
