"""Schemathesis hooks for vnum's API: what a schema cannot say.

- `format: e164` is a number of a real numbering plan: the pattern says its shape, the
  server checks the plan (R1.3), so generated numbers are drawn from plans that exist.
- `from` and `to` of a day range name the first and the last day: `from <= to`.
- The keys the runs authenticate with (`VNUM_FUZZ_KEEP_KEY_IDS`, set by api-fuzz.sh) are
  never revoked: a request to revoke one names a key that does not exist instead, so that a
  run does not lock itself out.
"""

import os

import schemathesis
from hypothesis import strategies as st

# Numbers of real plans (German mobiles, Berlin lines, San Francisco lines), in E.164.
E164 = st.one_of(
    st.from_regex(r"\A\+49151[0-9]{8}\Z"),
    st.from_regex(r"\A\+4930[0-9]{8}\Z"),
    st.from_regex(r"\A\+1415555[0-9]{4}\Z"),
)

schemathesis.openapi.format("e164", E164)


def _ordered(value):
    if not isinstance(value, dict):
        return True
    start, end = value.get("from"), value.get("to")
    if isinstance(start, str) and isinstance(end, str):
        return start <= end
    return True


@schemathesis.hook
def filter_query(ctx, query):
    return _ordered(query)


KEEP_KEY_IDS = {i for i in os.environ.get("VNUM_FUZZ_KEEP_KEY_IDS", "").split(",") if i}
NO_SUCH_KEY = 9_000_000_000_000_000_000


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.operation.label == "DELETE /v1/keys/{id}" and case.path_parameters:
        if str(case.path_parameters.get("id")) in KEEP_KEY_IDS:
            case.path_parameters["id"] = NO_SUCH_KEY
