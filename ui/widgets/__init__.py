"""Small pieces shared by screens: the classification banner, date formatting, labels, tables."""
