"""The demo phone: a local stand-in for Meta's WhatsApp Cloud API and for one customer's phone.

As the demo store stands in for Shopify, this stands in for a WhatsApp number: it serves the Graph API calls
the app makes (`GET /{phone-number-id}`, `POST /{phone-number-id}/messages`, `GET /{waba-id}/message_templates`)
with Meta's answer and error shapes, keeps what each customer received, and sends the app Meta's webhooks,
signed with the app secret as Meta signs them: statuses (sent, delivered, then read when the customer opens
the chat on the Demo phone page) and the customer's own messages.

- `phone`: `DemoPhone`, the state (a small stdlib sqlite file) and the webhooks it sends.
- `bodies`: the webhook bodies and the Graph API answers, in Meta's shapes; what a message looks like on the
  phone.
- `templates`: the approved demo templates the number lists.
- `graph_api`: the Graph API blueprint (mounted at `/demo-meta` in demo mode, or standalone for tests).

Connecting a workspace to it is `app.services.demo_phone.wire` (`flask demo` does it on start).

May import the stdlib, Flask and requests; nothing else of the app imports it except the app factory, the
demo service and the Demo phone page (`app.web.demo_phone`), which reads it through
`current_app.extensions["demo_phone"]`.
"""

from app.demo_phone.graph_api import create_graph_blueprint, create_standalone_app
from app.demo_phone.phone import DemoPhone

__all__ = ["DemoPhone", "create_graph_blueprint", "create_standalone_app"]
