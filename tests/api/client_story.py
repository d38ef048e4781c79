"""The demo story through a client generated from the server's own OpenAPI document.

A newcomer signs up, an operator records the payment it made, it orders a German mobile
number for a month and forwards the number's calls to a phone. Every call goes through
`vnum_client`, which openapi-python-client generated from `/openapi.json`: a model or an
operation the generator dropped fails here.

    python tests/api/client_story.py BASE_URL OPERATOR_KEY
"""

import sys
import uuid
from http import HTTPStatus

from vnum_client import AuthenticatedClient, Client
from vnum_client.api.balance import get_balance, top_up
from vnum_client.api.customers import me, sign_up
from vnum_client.api.numbers import get_number, set_forwarding
from vnum_client.api.offers import list_offers
from vnum_client.api.orders import place_order
from vnum_client.models import (
    Balance,
    Currency,
    CustomerKind,
    EndUser,
    ForwardingPlan,
    ForwardingStrategy,
    ForwardingTarget,
    NewCustomer,
    NewOrder,
    Number,
    OperatorPayment,
    OrderLine,
    OrderLineTermMonths,
    PaymentMethod,
    PlacedOrder,
    Registration,
)


def expect(reply, status, kind):
    assert reply.status_code == status, f"{reply.status_code}: {reply.content!r}"
    assert isinstance(reply.parsed, kind), f"{type(reply.parsed)}: {reply.content!r}"
    return reply.parsed


def main(base_url: str, operator_key: str) -> None:
    anyone = Client(base_url=base_url, raise_on_unexpected_status=True)
    operator = AuthenticatedClient(base_url=base_url, token=operator_key)

    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    body = NewCustomer(name="Ada Lovelace", email=email, kind=CustomerKind.PERSON, currency=Currency.EUR)
    registration = expect(sign_up.sync_detailed(client=anyone, body=body), HTTPStatus.CREATED, Registration)
    customer_id = registration.customer.id
    ada = AuthenticatedClient(base_url=base_url, token=registration.api_key)
    assert me.sync(client=ada).customer == customer_id

    paid = OperatorPayment(amount="20.00", currency=Currency.EUR, method=PaymentMethod.BANK_TRANSFER)
    reply = top_up.sync_detailed(customer_id, client=operator, body=paid, idempotency_key=f"story-{email}")
    assert reply.status_code in (HTTPStatus.OK, HTTPStatus.CREATED), reply.content
    balance = expect(get_balance.sync_detailed(customer_id, client=ada), HTTPStatus.OK, Balance)
    assert (balance.balance.amount, balance.balance.currency) == ("20.00", Currency.EUR), balance

    offers = list_offers.sync(client=ada, limit=500).items
    mobile = next(o for o in offers if o.country == "DE" and o.kind.value == "mobile" and o.provisioning.value == "instant")
    line = OrderLine(offer=mobile.id, term_months=OrderLineTermMonths(1), quantity=1)
    order = NewOrder(lines=[line], end_user=EndUser.PERSONAL)
    placed = expect(
        place_order.sync_detailed(customer_id, client=ada, body=order, idempotency_key=f"order-{email}"),
        HTTPStatus.CREATED,
        PlacedOrder,
    )
    number = placed.numbers[0]
    assert placed.order.total.amount == mobile.monthly_price.amount, placed.order.total
    balance = get_balance.sync(customer_id, client=ada)
    assert balance.balance.amount == f"{20 - float(mobile.monthly_price.amount):.2f}", balance

    plan = ForwardingPlan(strategy=ForwardingStrategy.SINGLE, targets=[ForwardingTarget(target="+4930123456")])
    forwarded = expect(set_forwarding.sync_detailed(customer_id, number.id, client=ada, body=plan), HTTPStatus.OK, Number)
    assert forwarded.forwarding.targets[0].target == "+4930123456", forwarded.forwarding
    again = get_number.sync(customer_id, number.id, client=ada)
    assert again.forwarding.strategy == ForwardingStrategy.SINGLE, again
    print(f"client story: customer {customer_id} bought {number.e164} and forwards it to +4930123456")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
