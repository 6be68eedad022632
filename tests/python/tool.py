"""One-shot calls into the real `usso` package (tests only). Reads a JSON
request on stdin, prints one JSON answer on stdout.

    python tool.py agent    {"scopes", "aud", "tenant_id", "agent_id"}
        -> {"token", "public_pem"}: generate_agent_jwt with a fresh Ed25519 key
    python tool.py dump     {AuthConfig fields}
        -> the JSON a Python service would put in JWT_CONFIG:
           AuthConfig(**fields).model_dump_json()
    python tool.py verify   {"jwt_config", "token"}
        -> {"claims"} or {"error_code", "detail", "status"}:
           UssoAuth(jwt_config=...).user_data_from_token(token)
"""

import json
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def agent(req: dict) -> dict:
    from usso.utils.agent import generate_agent_jwt

    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    token = generate_agent_jwt(
        req["scopes"], req["aud"], req.get("tenant_id"),
        agent_id=req.get("agent_id"), private_key=private_pem,
    )
    return {"token": token, "public_pem": public_pem}


def dump(req: dict) -> dict:
    from usso import AuthConfig

    return {"jwt_config": AuthConfig(**req).model_dump_json()}


def verify(req: dict) -> dict:
    from usso import UssoAuth
    from usso.exceptions import USSOException

    try:
        user = UssoAuth(jwt_config=req["jwt_config"]).user_data_from_token(req["token"])
    except USSOException as e:
        return {"status": e.status_code, "error_code": e.error_code, "detail": e.detail}
    return {"claims": user.claims}


if __name__ == "__main__":
    command = {"agent": agent, "dump": dump, "verify": verify}[sys.argv[1]]
    print(json.dumps(command(json.load(sys.stdin))))
