"""Results frameworks, indicators (reported and computed from the register), targets, values."""
