"""A small but real OpenID Connect provider for tests (authorization-code flow, RS256 id_token, PKCE S256).

Runs in a thread on 127.0.0.1 with a free port. `/authorize` approves at once as `next_user` (no login form)
and redirects back with `code` and `state`; `/token` checks the client's id and secret (HTTP Basic or form),
the code, the redirect_uri and the PKCE verifier. Every request leaves a line in `events`
(e.g. "token:invalid_client"), so a test can tell why a sign-in failed.

    with OidcProvider(client_id="dashboard", client_secret="s3cret") as idp:
        idp.redirect_uris.add("http://127.0.0.1:8501/oauth2callback")
        idp.next_user = {"sub": "u-1", "email": "a@example.gov.cn", "name": "张三"}
        secrets = idp.secrets_toml(redirect_uri="http://127.0.0.1:{port}/oauth2callback")
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_LIFETIME_S = 60
TOKEN_LIFETIME_S = 3600


class OidcProvider:
    def __init__(self, client_id: str = "dashboard", client_secret: str = "test-client-secret") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris: set[str] = set()
        self.next_user: dict | None = {"sub": "test-user", "email": "test.user@example.gov.cn", "name": "测试用户"}
        self.events: list[str] = []
        self.authorize_requests: list[dict[str, str]] = []  # query parameters of each /authorize call
        self._key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
        self._codes: dict[str, dict] = {}
        self._access: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def start(self) -> OidcProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def secrets_toml(self, redirect_uri: str, *, provider: str = "idp", client_secret: str | None = None,
                     cookie_secret: str | None = None) -> str:
        """The `[auth]` part of Streamlit's secrets.toml for `st.login(provider)` against this provider."""
        return "\n".join([
            "[auth]",
            f'redirect_uri = "{redirect_uri}"',
            f'cookie_secret = "{cookie_secret or secrets.token_hex(32)}"',
            f"[auth.{provider}]",
            f'client_id = "{self.client_id}"',
            f'client_secret = "{self.client_secret if client_secret is None else client_secret}"',
            f'server_metadata_url = "{self.metadata_url}"',
            "",
        ])

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "name", "iss", "aud", "exp", "iat", "nonce"],
        }

    def jwks(self) -> dict:
        return {"keys": [self._key.as_dict(private=False)]}

    def authorize(self, q: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """(status, headers, body). Errors about the client or redirect_uri are shown, never redirected."""
        self.authorize_requests.append(q)
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            self.events.append("authorize:unknown_client_or_redirect_uri")
            return 400, {}, "unknown client_id or unregistered redirect_uri"
        back = {"state": q["state"]} if "state" in q else {}
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            back["error"] = "unsupported_response_type"
        elif self.next_user is None:
            back["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {"user": dict(self.next_user), "redirect_uri": redirect_uri,
                                     "nonce": q.get("nonce"), "challenge": q.get("code_challenge"),
                                     "method": q.get("code_challenge_method"), "at": time.time()}
            back["code"] = code
        self.events.append("authorize:" + back.get("error", "ok"))
        return 302, {"Location": redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(back)}, ""

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict]:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = (unquote_plus(p) for p in pair.partition(":"))
        if client_id != self.client_id or not secrets.compare_digest(client_secret or "", self.client_secret):
            return self._token_error(401, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._token_error(400, "unsupported_grant_type")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # one use only
        if grant is None or time.time() - grant["at"] > CODE_LIFETIME_S:
            return self._token_error(400, "invalid_grant")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return self._token_error(400, "invalid_grant")
        if grant["challenge"]:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if grant["method"] != "S256" or base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return self._token_error(400, "invalid_grant")
        user, now = grant["user"], int(time.time())
        claims = {**user, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + TOKEN_LIFETIME_S}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": self._key.kid}, claims, self._key)
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access[access_token] = user
        self.events.append("token:ok")
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_S,
                     "scope": "openid email profile", "id_token": id_token}

    def _token_error(self, status: int, error: str) -> tuple[int, dict]:
        self.events.append("token:" + error)
        return status, {"error": error}

    def userinfo(self, authorization: str | None) -> tuple[int, dict]:
        token = (authorization or "").removeprefix("Bearer ")
        user = self._access.get(token)
        return (200, user) if user else (401, {"error": "invalid_token"})


def _handler_for(idp: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(200, idp.metadata())
            elif url.path == "/jwks":
                self._json(200, idp.jwks())
            elif url.path == "/authorize":
                status, headers, body = idp.authorize({k: v[0] for k, v in parse_qs(url.query).items()})
                self._send(status, headers, body.encode(), "text/plain; charset=utf-8")
            elif url.path == "/userinfo":
                self._json(*idp.userinfo(self.headers.get("Authorization")))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            status, payload = idp.token(form, self.headers.get("Authorization"))
            headers = {"WWW-Authenticate": "Basic"} if status == 401 else {}
            self._json(status, payload, {**headers, "Cache-Control": "no-store"})

        def _json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
            self._send(status, headers or {}, json.dumps(payload).encode(), "application/json")

        def _send(self, status: int, headers: dict[str, str], body: bytes, content_type: str) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": content_type, **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (keep test output quiet)
            pass

    return Handler
