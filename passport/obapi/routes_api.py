"""The Open Badges API routes (OB 3.0 section 6.2), one set per service family.

``create_api_router(OB_V3P0)`` serves ``/ims/ob/v3p0/{discovery,credentials,profile}``; CLR 2.0
is the same call with its family. Only over HTTPS (OB 3.0 section 6.1: TLS 1.2 or 1.3): on a
plain-HTTP deployment every route answers 403 and says why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.responses import Response

from credentials import Forbidden, InvalidInput, parse_json_object
from infra import N_, NowDep, SessionDep
from passport.obapi import host
from passport.obapi.imsx import ImsxRoute
from passport.obapi.protect import token_learner
from passport.obapi.scopes import (
    CREDENTIAL_READONLY,
    CREDENTIAL_UPSERT,
    PROFILE_READONLY,
    PROFILE_UPDATE,
    ServiceFamily,
)
from passport.wallet.tables import Learner
from passport.wallet.web import WalletDep

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
INT32_MAX = 2**31 - 1
JWS_MEDIA_TYPE = "text/plain"
OAUTH_PATHS = {
    "registration": "/oauth2/register",
    "authorization": "/oauth2/authorize",
    "token": "/oauth2/token",
}
POLICY_PATH = "/passport/api-policy"


def require_https(request: Request) -> None:
    if request.url.scheme != "https":
        raise Forbidden(N_("the Open Badges API is served over HTTPS only"))


async def raw_body(request: Request) -> bytes:
    return await request.body()


AuthorizationHeader = Annotated[str | None, Header(alias="Authorization")]


def _link_header(url: str, *, limit: int, offset: int, total: int, since: str | None) -> str:
    """RFC 8288 links for paging (OB 3.0 section 6.2.1.1): first and last always, next and
    prev when there is such a page."""

    def link(to: int, rel: str) -> str:
        query = {"limit": limit, "offset": to, **({"since": since} if since else {})}
        return f'<{url}?{urlencode(query)}>; rel="{rel}"'

    last = max(0, (total - 1) // limit * limit)
    links = []
    if offset + limit < total:
        links.append(link(offset + limit, "next"))
    links.append(link(last, "last"))
    links.append(link(0, "first"))
    if offset > 0:
        links.append(link(max(0, offset - limit), "prev"))
    return ", ".join(links)


def create_api_router(family: ServiceFamily) -> APIRouter:
    router = APIRouter(
        prefix=family.prefix,
        route_class=ImsxRoute,
        include_in_schema=False,
        dependencies=[Depends(require_https)],
    )

    def learner_for(session: Any, now: datetime, authorization: str | None, name: str) -> Learner:
        return token_learner(session, now, authorization, family.scope(name))

    @router.get("/discovery")
    def discovery(request: Request) -> JSONResponse:
        base = request.app.state.settings.base_url
        description = host.HostDescription(
            title="Learner Passport",
            base_url=base,
            terms_url=f"{base}{POLICY_PATH}#terms",
            privacy_url=f"{base}{POLICY_PATH}#privacy",
            registration_url=f"{base}{OAUTH_PATHS['registration']}",
            authorization_url=f"{base}{OAUTH_PATHS['authorization']}",
            token_url=f"{base}{OAUTH_PATHS['token']}",
        )
        return JSONResponse(
            host.service_description(family, description),
            headers={"Cache-Control": "public, max-age=3600"},
        )

    @router.get("/credentials")
    def get_credentials(
        request: Request,
        session: SessionDep,
        moment: NowDep,
        authorization: AuthorizationHeader = None,
        limit: Annotated[int, Query(ge=1, le=INT32_MAX)] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
        since: datetime | None = None,
    ) -> JSONResponse:
        learner = learner_for(session, moment, authorization, CREDENTIAL_READONLY)
        if since is not None and since.tzinfo is None:
            raise InvalidInput(N_("since must give its time zone, e.g. 2025-01-01T00:00:00Z"))
        limit = min(limit, MAX_LIMIT)
        page = host.credentials_page(session, learner.id, limit=limit, offset=offset, since=since)
        url = str(request.url.replace(query=""))
        since_text = request.query_params.get("since")
        headers = {
            "X-Total-Count": str(page.total),
            "Link": _link_header(
                url, limit=limit, offset=offset, total=page.total, since=since_text
            ),
            "Cache-Control": "no-store",
        }
        return JSONResponse(page.body(), headers=headers)

    @router.post("/credentials")
    def upsert_credential(
        session: SessionDep,
        wallet: WalletDep,
        moment: NowDep,
        body: Annotated[bytes, Depends(raw_body)],
        authorization: AuthorizationHeader = None,
    ) -> Response:
        learner = learner_for(session, moment, authorization, CREDENTIAL_UPSERT)
        created = host.upsert_credential(
            session, learner, body, lambda item: wallet.live.verify(item, moment), moment
        )
        session.commit()
        status = 201 if created else 200
        text = body.decode("utf-8").removeprefix("\ufeff").strip()
        if text.startswith("{"):
            return JSONResponse(parse_json_object(text), status_code=status)
        return PlainTextResponse(text, status_code=status, media_type=JWS_MEDIA_TYPE)

    @router.get("/profile")
    def get_profile(
        session: SessionDep, moment: NowDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        learner = learner_for(session, moment, authorization, PROFILE_READONLY)
        return JSONResponse(
            host.get_profile(session, learner), headers={"Cache-Control": "no-store"}
        )

    @router.put("/profile")
    def put_profile(
        session: SessionDep,
        moment: NowDep,
        body: Annotated[bytes, Depends(raw_body)],
        authorization: AuthorizationHeader = None,
    ) -> JSONResponse:
        learner = learner_for(session, moment, authorization, PROFILE_UPDATE)
        # The untrusted-JSON parser: size, depth and duplicate-member limits.
        profile = host.put_profile(session, learner, parse_json_object(body), moment)
        session.commit()
        return JSONResponse(profile, headers={"Cache-Control": "no-store"})

    return router
