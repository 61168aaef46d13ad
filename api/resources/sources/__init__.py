"""Sources: the documents that events and statements cite."""
