"""Validation messages as the API reports them: by dotted field path."""


def flatten_errors(messages, prefix=""):
    """Turn marshmallow's nested messages into {"dotted.path": [messages]}."""
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            # marshmallow files a nested record's own errors under "_schema".
            if key == "_schema" and prefix:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            flat.update(flatten_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        # A message stays itself (a coded Message); anything else is said as text.
        flat[prefix or "_schema"] = [messages if isinstance(messages, str) else str(messages)]
    return flat
