"""The Scrutiny screen: a team's fortnightly peer-scrutiny pack, from the sample to the findings."""
