"""Serve a FastAPI app of the real `usso` package on 127.0.0.1 (tests only).

    python serve.py lite DB_PATH     # usso.lite's identity server (SQLite)
    python serve.py service          # a service guarded by USSOAuthentication(),
                                     # configured from its env (JWT_CONFIG, ...)

Binds an ephemeral port, prints `PORT=<n>`, serves until killed or until
its standard input closes (so it never outlives the test that started it).
"""

import os
import socket
import sys
import threading

import uvicorn
from fastapi import Depends, FastAPI
from usso.integrations.fastapi import EXCEPTION_HANDLERS, USSOAuthentication


def lite_app(db_path: str) -> FastAPI:
    from usso.lite import LiteConfig, create_lite_router

    config = LiteConfig(
        database_url=f"sqlite+aiosqlite:///{db_path}",
        issuer="usso-lite",
        audience="usso-lite",
        default_roles=["editor"],
        default_scopes=["read:posts", "write:posts"],
    )
    router = create_lite_router(config)
    app = FastAPI(lifespan=router.lifespan_context)
    app.include_router(router)
    return app


def service_app() -> FastAPI:
    auth = USSOAuthentication()  # reads JWT_CONFIGS / JWT_CONFIG / USSO_BASE_URL
    app = FastAPI()

    @app.get("/me")
    def me(user=Depends(auth)) -> dict:
        return user.claims

    @app.get("/admin/users")
    def users(user=Depends(auth.authorize(action="admin", resource_path="users"))) -> dict:
        return {"users": []}

    return app


def exit_with_parent() -> None:
    sys.stdin.read()
    os._exit(0)


def main() -> None:
    threading.Thread(target=exit_with_parent, daemon=True).start()
    app = lite_app(sys.argv[2]) if sys.argv[1] == "lite" else service_app()
    for exc, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exc, handler)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(f"PORT={sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
