"""Scripts the Makefile runs for the people who look after Front Door (not shipped)."""
