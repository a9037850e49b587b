"""A small OpenID Connect identity provider for the sign-in tests, on 127.0.0.1 only.

Discovery, an authorization page that lists test accounts (a person picks one, as on a real
provider's account chooser), a token endpoint that returns an RS256-signed ID token for the picked
account (``iss``, ``aud``, ``nonce``, ``email``), and the JWKS to check it with. Written for these
tests with joserfc (Authlib's JOSE library; Streamlit's ``st.login`` checks the token with Authlib).

For the failure pages: an ``expired`` account gets an ID token that expired ten minutes ago (the
callback's check fails), an ``old_sign_in`` account one issued 13 hours ago that is still valid (the
app's own session limit ends it), and ``stop()`` stops listening (nothing answers: connection
refused) but keeps the port held until ``start()`` listens on it again.
"""

from __future__ import annotations

import html
import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "slate-planner-test", "test-client-secret"


class Provider:
    """``Provider(accounts).start()``; ``.issuer`` is its base URL; ``.stop()`` ends it."""

    def __init__(self, accounts: list[str], unverified: tuple[str, ...] = (), expired: tuple[str, ...] = (),
                 old_sign_in: tuple[str, ...] = ()):
        self.accounts, self.unverified = accounts, set(unverified)
        self.expired, self.old_sign_in = set(expired), set(old_sign_in)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "slate-test"})
        self.codes: dict[str, tuple[str, str]] = {}     # code -> (email, nonce)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.issuer = f"http://localhost:{self.port}"
        self.hold: socket.socket | None = None

    def start(self) -> "Provider":
        if self.server is None:                          # stopped: open the same port again
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())   # binds with SO_REUSEADDR
            self.hold.close()
            self.hold = None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop answering: the port stops listening (a connection to it is refused) but stays held
        (bound, as ``benchmarks.serving.held_port`` holds one), so nothing else takes it before
        ``start`` listens on it again."""
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.server = None
        self.hold = socket.socket()
        self.hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.hold.bind(("127.0.0.1", self.port))

    def id_token(self, email: str, nonce: str) -> str:
        now = int(time.time())
        issued = now - 1200 if email in self.expired else now - 13 * 3600 if email in self.old_sign_in else now
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": email, "email": email,
                  "email_verified": email not in self.unverified, "name": email.split("@")[0].title(),
                  "iat": issued, "exp": now - 600 if email in self.expired else now + 600, "nonce": nonce}
        return jwt.encode({"alg": "RS256", "kid": "slate-test"}, claims, self.key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):      # quiet
                pass

            def reply(self, status: int, body: bytes = b"", kind: str = "application/json", location: str = ""):
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                base = provider.issuer
                if url.path == "/.well-known/openid-configuration":
                    meta = {"issuer": base, "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token", "jwks_uri": f"{base}/jwks",
                            "response_types_supported": ["code"], "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "scopes_supported": ["openid", "email", "profile"]}
                    return self.reply(200, json.dumps(meta).encode())
                if url.path == "/jwks":
                    public = provider.key.as_dict(private=False)
                    return self.reply(200, json.dumps({"keys": [{**public, "use": "sig", "alg": "RS256"}]}).encode())
                if url.path == "/authorize":        # the account chooser
                    links = "".join(
                        f'<p><a href="/choose?{html.escape(urlencode({**q, "account": a}))}">{html.escape(a)}</a></p>'
                        for a in provider.accounts)
                    return self.reply(200, f"<html><body><h1>Choose an account</h1>{links}</body></html>".encode(),
                                      kind="text/html")
                if url.path == "/choose":
                    code = uuid.uuid4().hex
                    provider.codes[code] = (q["account"], q.get("nonce", ""))
                    back = f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}"
                    return self.reply(302, location=back)
                return self.reply(404, b"{}")

            def do_POST(self):
                if urlparse(self.path).path != "/token":
                    return self.reply(404, b"{}")
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                email, nonce = provider.codes.pop(form.get("code", ""), (None, None))
                if email is None:
                    return self.reply(400, json.dumps({"error": "invalid_grant"}).encode())
                token = {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 600,
                         "id_token": provider.id_token(email, nonce)}
                return self.reply(200, json.dumps(token).encode())

        return Handler
