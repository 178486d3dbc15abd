"""The caseload: the table of offenders an officer manages, their team's, or the force's."""
