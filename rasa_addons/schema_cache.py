"""JSON-schema validation that checks each schema once, for the Rasa server.

Rasa 3.6 validates every custom action's response with `jsonschema.validate`, which checks the
schema itself against its meta-schema on every call before it looks at the response. Under
load that was 28 % of the Rasa process's time (py-spy, 50 concurrent customers): 16 ms a turn
of which 0.5 ms is the validation of the response. `install()` swaps in a `validate` that keeps
the checked validator of each schema (keyed by its JSON text, so a schema rebuilt on every call
is still found, and a different schema never is) and validates the same way: the same errors,
the same `best_match`, a bad schema still raises `SchemaError` every time.
"""

import functools
import json
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

_uncached = jsonschema.validate


@functools.lru_cache(maxsize=128)
def _checked_validator(schema_json: str, cls: Any) -> Any:
    schema = json.loads(schema_json)
    validator_class = cls if cls is not None else validator_for(schema)
    validator_class.check_schema(schema)  # raises SchemaError, which lru_cache does not keep
    return validator_class(schema)


def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate`, with the schema checked only the first time it is seen."""
    if args or kwargs:  # validator options: rare, keep jsonschema's own path
        _uncached(instance, schema, cls, *args, **kwargs)
        return
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON (e.g. a schema holding tuples or sets)
        _uncached(instance, schema, cls)
        return
    error = best_match(_checked_validator(key, cls).iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    """Make every `jsonschema.validate` in this process the cached one. Rasa's callers look it
    up at call time (`from jsonschema import validate` inside the function, or
    `jsonschema.validate`), so replacing the module's attribute reaches all of them."""
    jsonschema.validate = validate
