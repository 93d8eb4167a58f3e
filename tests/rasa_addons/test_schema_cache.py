"""rasa_addons.schema_cache, in the Rasa environment it runs in (Python 3.10, Rasa's own
jsonschema): validation answers exactly as jsonschema's, while each schema is checked once."""

import json
import subprocess

from tests.processes import RASA_PYTHON, ROOT

CHECKS = r"""
import json
import jsonschema
from rasa_addons import schema_cache

uncached = jsonschema.validate
schema_cache.install()
from rasa.core.actions.action import RemoteAction  # noqa: E402

checked = []
real_check = jsonschema.Draft202012Validator.check_schema.__func__
def counting_check(cls, schema, *args, **kwargs):
    checked.append(1)
    return real_check(cls, schema, *args, **kwargs)
jsonschema.Draft202012Validator.check_schema = classmethod(counting_check)
schema_cache._checked_validator.cache_clear()

action = RemoteAction("action_answer_question", None)
good = {"events": [{"event": "slot", "name": "language", "value": "hu"}],
        "responses": [{"text": "Szia!"}]}
bad = {"events": [{"name": "language"}], "responses": [{"text": "Szia!"}]}

def error_of(validate, instance, schema):
    try:
        validate(instance, schema)
    except jsonschema.ValidationError as exc:
        return [exc.message, list(exc.path), exc.validator]
    except jsonschema.SchemaError as exc:
        return ["schema", exc.message]
    return None

results = {}
results["good_accepted"] = all(action._validate_action_result(good) for _ in range(3))
try:
    action._validate_action_result(bad)
    results["bad_rejected"] = False
except jsonschema.ValidationError:
    results["bad_rejected"] = True
results["checks_for_four_validations"] = len(checked)
spec = RemoteAction.action_response_format_spec()
results["same_errors"] = [
    error_of(jsonschema.validate, instance, spec) == error_of(uncached, instance, spec)
    for instance in (good, bad, {"events": "none"}, [], {"responses": [1]})
]
results["bad_error"] = error_of(jsonschema.validate, bad, spec)
minimum = {"type": "integer", "minimum": 5}
results["schemas_kept_apart"] = [
    error_of(jsonschema.validate, 3, {"type": "integer"}),
    error_of(jsonschema.validate, 3, minimum) is not None,
]
results["bad_schema_every_time"] = [
    error_of(jsonschema.validate, 1, {"type": 12}) for _ in range(2)
]
print(json.dumps(results))
"""


def test_validation_is_jsonschemas_with_each_schema_checked_once() -> None:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", CHECKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert results["good_accepted"] is True
    assert results["bad_rejected"] is True
    # Four validations of a schema Rasa builds anew each time: one check of it.
    assert results["checks_for_four_validations"] == 1
    assert results["same_errors"] == [True] * 5
    assert results["bad_error"] is not None and results["bad_error"][0] != "schema"
    assert results["schemas_kept_apart"] == [None, True]
    assert results["bad_schema_every_time"][0][0] == "schema"
    assert results["bad_schema_every_time"][1] == results["bad_schema_every_time"][0]
