"""The Team screen: who of a team is on duty on a day, who covers an absent sergeant's approvals,
and the team's absences with their named cover."""
