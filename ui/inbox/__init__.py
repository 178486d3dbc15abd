"""The Inbox screen: the tasks an officer sees today, with the approval, hub and follow-up work."""
