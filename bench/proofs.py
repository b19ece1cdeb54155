"""Sign and verify per second for each securing mechanism, beside raw Ed25519 in the same run.

Prints one line per figure: ``BENCH <name> <ops_per_s> <ratio_to_raw_ed25519_verify>``. Absolute
numbers depend on the (shared, noisy) machine; the ratios are what to compare across runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.sample import sample_credential, size_of
from credentials.did import offline_resolver
from credentials.keys import Ed25519Signer
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.base import ProofExpectations
from credentials.proofs.data_integrity import verify_data_integrity
from credentials.proofs.registry import secure
from credentials.proofs.vc_jose import verify_jws
from credentials.report import Outcome

SECONDS_PER_FIGURE = 2.0


def ops_per_second(operation: Callable[[], object], seconds: float = SECONDS_PER_FIGURE) -> float:
    operation()  # warm caches once, as a long-running server would have them
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        operation()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _require(passed: bool, what: str) -> None:
    if not passed:
        raise SystemExit(f"benchmark input did not verify: {what}")


def figures() -> list[tuple[str, float]]:
    key = Ed25519PrivateKey.generate()
    did = did_key_for(key.public_key())
    signer = Ed25519Signer(key, did_key_verification_method(did))
    resolver = offline_resolver()
    now = datetime.now(UTC)
    credential = sample_credential(did)
    message = b"x" * 64
    signature = key.sign(message)
    public = key.public_key()
    results = [
        ("raw_ed25519_sign", ops_per_second(lambda: key.sign(message))),
        ("raw_ed25519_verify", ops_per_second(lambda: public.verify(signature, message))),
    ]
    for mechanism in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        signed: Any = secure(credential, signer, mechanism, now=now)

        def verify_di(document: Any = signed) -> bool:
            outcome = verify_data_integrity(document, resolver, ProofExpectations())
            return all(result.outcome is Outcome.PASSED for result in outcome)

        _require(verify_di(), mechanism)
        sign_rate = ops_per_second(lambda m=mechanism: secure(credential, signer, m, now=now))
        results.append((f"{mechanism}_sign", sign_rate))
        results.append((f"{mechanism}_verify", ops_per_second(verify_di)))
    token = secure(credential, signer, "vc+jwt", now=now)
    assert isinstance(token, str)

    def verify_jwt() -> bool:
        return verify_jws(token, resolver, now=now).proof.verified

    _require(verify_jwt(), "vc+jwt")
    results.append(("vc+jwt_sign", ops_per_second(lambda: secure(credential, signer, "vc+jwt", now=now))))
    results.append(("vc+jwt_verify", ops_per_second(verify_jwt)))
    return results


def main() -> None:
    print(f"# sample credential: {size_of(sample_credential('did:key:z6Mk'))} bytes of JSON")
    measured = figures()
    baseline = dict(measured)["raw_ed25519_verify"]
    for name, rate in measured:
        print(f"BENCH {name} {rate:.1f} {rate / baseline:.4f}")


if __name__ == "__main__":
    main()
