"""The Daily sheet screen: the team management meeting's sheet for a day."""
