"""A real SMTP server for Herald's report tests (aiosmtpd): optional STARTTLS with a test
certificate, optional AUTH (required once TLS is up), and every message received written
to MAILDIR as NNN.eml plus NNN.json with its parsed headers, bodies and attachments
(a ZIP attachment opened with Python's zipfile: its files, checked against their CRCs).

usage: server.py --port P --maildir DIR [--user U --password W] [--cert PEM --key PEM]
Prints READY when it accepts connections; runs until killed.
"""
import argparse
import asyncio
import email
import email.policy
import io
import json
import os
import ssl
import sys
import zipfile

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

args = argparse.ArgumentParser()
args.add_argument("--port", type=int, required=True)
args.add_argument("--maildir", required=True)
args.add_argument("--user")
args.add_argument("--password")
args.add_argument("--cert")
args.add_argument("--key")
a = args.parse_args()
os.makedirs(a.maildir, exist_ok=True)


class Saver:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Saver.count += 1
        base = os.path.join(a.maildir, f"{Saver.count:03d}")
        with open(base + ".eml", "wb") as f:
            f.write(envelope.content)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parsed = {"from": str(msg["From"]), "to": str(msg["To"]), "subject": str(msg["Subject"]),
                  "rcpt_tos": envelope.rcpt_tos, "text": None, "html": None, "attachments": []}
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_filename():
                attachment = {"filename": part.get_filename(),
                              "content_type": part.get_content_type(),
                              "content": part.get_content() if part.get_content_maintype() == "text" else None}
                if part.get_content_type() == "application/zip":
                    data = part.get_content()
                    with zipfile.ZipFile(io.BytesIO(data)) as z:
                        attachment["size"] = len(data)
                        attachment["zip_bad_file"] = z.testzip()
                        attachment["zip"] = [{"filename": i.filename, "date_time": list(i.date_time),
                                              "compress_type": i.compress_type,
                                              "text": z.read(i).decode("utf-8")} for i in z.infolist()]
                parsed["attachments"].append(attachment)
            elif part.get_content_type() == "text/plain":
                parsed["text"] = part.get_content()
            elif part.get_content_type() == "text/html":
                parsed["html"] = part.get_content()
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(parsed, f)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user \
        and auth_data.password.decode() == a.password
    # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client waiting).
    return AuthResult(success=ok, handled=False)


kwargs = {}
if a.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)
    kwargs.update(tls_context=context, require_starttls=True)
if a.user:
    # PLAIN only: lettre tries each mechanism the server offers.
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(a.cert),
                  auth_exclude_mechanism=["LOGIN"])
controller = Controller(Saver(), hostname="127.0.0.1", port=a.port, **kwargs)
controller.start()
print("READY", flush=True)
try:
    asyncio.new_event_loop().run_forever()
except KeyboardInterrupt:
    pass
finally:
    controller.stop()
