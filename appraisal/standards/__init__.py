"""The service standards, open to everyone they judge: the rulebooks as JSON
(`/api/v1/rulebooks`) and as a page in plain words (`/standards`)."""
