"""The WhatsApp sales agent: an OpenAI-compatible model that answers customers with the `agent_tools`.

- `prompt`: the system prompt, built from the shop's data.
- `runner`: the bounded tool-call loop (`run`), the model client from settings (`chat_model`), history.
- `jobs`: `reply(conversation_id)`, the queue job the WhatsApp webhook enqueues on `default`.
- `cli`: `flask agent chat`, a terminal chat against the local data (nothing sent to WhatsApp).

May import `agent_tools`, `app.models`, `app.platforms` (the model client is `app.platforms.llm`),
`app.integrations.clients` and `app.queues`. Web routes and webhooks do not import it: they enqueue
`app.agent.jobs.reply` by name.
"""
