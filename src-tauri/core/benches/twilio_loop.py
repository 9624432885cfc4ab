"""The baseline of the engine benchmark: what a user would otherwise script, the official
`twilio` Python helper creating messages in a plain loop.

usage: twilio_loop.py BASE_URL ACCOUNT_SID AUTH_TOKEN COUNT   (prints the seconds taken)
"""
import sys
import time

from twilio.rest import Client

base_url, account, token, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = Client(account, token)
client.api.base_url = base_url  # the fake Twilio on loopback
start = time.monotonic()
for i in range(count):
    client.messages.create(to=f"+1202{200 + i // 8000:03d}{(i // 8) % 1000:03d}{i % 8}",
                           from_="+15005550006", body=f"Hello member {i}")
print(f"{time.monotonic() - start:.3f}")
