"""Model access: the OpenAI-compatible client, its transport, the embedded server.

`client` fills a Pydantic model through instructor with retries and counts usage;
`connect` picks the endpoint a `Settings` names (starting the embedded llama.cpp
server when it names none); `local_server` and `weights` run that server on the
weights a package ships; `prompting` renders the Jinja templates the calls send.
"""
