"""Sign and verify per second for each securing mechanism, beside raw Ed25519 in the same run.

Prints one line per figure: ``BENCH <name> <ops_per_s> <ratio_to_raw_ed25519_verify>``, each rate
per second of CPU time of the measuring thread. Absolute numbers depend on the (shared, noisy)
machine; the ratios are what to compare across runs. The
``rdfc_<input>_<path>_<sign|verify>`` figures compare the fast path with stock pyld on four
credential sizes (``bench.rdfc_inputs``; docs/performance.md), and a comment line gives each
size's quads per second, which stay level when verification is linear in the number of quads.

A Data Integrity verify is what the verifier does with an embedded proof: read what was signed
(``verifier.pipeline.read_signed``: the node-layout and plain-spelling checks of issue #12) and
verify every proof (``verify_data_integrity``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.rdfc_inputs import rdfc_inputs
from bench.sample import sample_credential, size_of
from bench.stock_pyld import STOCK_SUITE
from credentials.canonical import canonicalize_jsonld
from credentials.did import offline_resolver
from credentials.keys import Ed25519Signer
from credentials.multikey import did_key_for, did_key_verification_method
from credentials.proofs.base import ProofExpectations, ProofOptions
from credentials.proofs.data_integrity import EddsaCryptosuite, without_proof
from credentials.proofs.eddsa_rdfc_2022 import SUITE as RDFC_SUITE
from credentials.proofs.registry import secure, verify_data_integrity
from credentials.proofs.vc_jose import verify_jws
from credentials.report import Outcome
from verifier.pipeline import read_signed

SECONDS_PER_FIGURE = 2.0
BATCH = 4


def ops_per_second(operation: Callable[[], object], seconds: float = SECONDS_PER_FIGURE) -> float:
    """Operations per second of this thread's CPU time (``time.thread_time``): on a shared
    machine the wall clock also counts the time other processes hold the core, which moves
    one figure and not the next. The clock is read every ``BATCH`` operations."""
    operation()  # warm caches once, as a long-running server would have them
    count = 0
    start = time.thread_time()
    deadline = start + seconds
    while True:
        for _ in range(BATCH):
            operation()
        count += BATCH
        now = time.thread_time()
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
            read_signed(without_proof(document))
            outcome = verify_data_integrity(document, resolver, ProofExpectations())
            return all(result.outcome is Outcome.PASSED for result in outcome)

        _require(verify_di(), mechanism)

        def sign_di(mechanism: str = mechanism) -> object:
            return secure(credential, signer, mechanism, now=now)

        sign_rate = ops_per_second(sign_di)
        results.append((f"{mechanism}_sign", sign_rate))
        results.append((f"{mechanism}_verify", ops_per_second(verify_di)))
    token = secure(credential, signer, "vc+jwt", now=now)
    assert isinstance(token, str)

    def verify_jwt() -> bool:
        return verify_jws(token, resolver, now=now).proof.verified

    _require(verify_jwt(), "vc+jwt")
    results.append(
        ("vc+jwt_sign", ops_per_second(lambda: secure(credential, signer, "vc+jwt", now=now)))
    )
    results.append(("vc+jwt_verify", ops_per_second(verify_jwt)))
    results.extend(rdfc_figures(signer, resolver, now))
    return results


def rdfc_figures(signer: Ed25519Signer, resolver: Any, now: datetime) -> list[tuple[str, float]]:
    """``eddsa-rdfc-2022`` sign and verify per credential size, fast path and stock pyld."""
    results = []
    paths: dict[str, EddsaCryptosuite] = {"fast": RDFC_SUITE, "stock_pyld": STOCK_SUITE}
    for label, credential in rdfc_inputs(signer, now):
        signed = RDFC_SUITE.add_proof(credential, signer, ProofOptions(created=now))
        for path, suite in paths.items():

            def verify(suite: EddsaCryptosuite = suite, document: Any = signed) -> bool:
                result = suite.verify_proof(
                    document, document["proof"], resolver, ProofExpectations()
                )
                return result.outcome is Outcome.PASSED

            _require(verify(), f"{label} on the {path} path")

            def sign(suite: EddsaCryptosuite = suite, document: Any = credential) -> object:
                return suite.add_proof(document, signer, ProofOptions(created=now))

            results.append((f"rdfc_{label}_{path}_sign", ops_per_second(sign)))
            results.append((f"rdfc_{label}_{path}_verify", ops_per_second(verify)))
    return results


def main() -> None:
    print(f"# sample credential: {size_of(sample_credential('did:key:z6Mk'))} bytes of JSON")
    key = Ed25519PrivateKey.generate()
    signer = Ed25519Signer(key, did_key_verification_method(did_key_for(key.public_key())))
    inputs = rdfc_inputs(signer, datetime.now(UTC))
    for label, document in inputs:
        print(f"# rdfc_{label}: {size_of(document)} bytes of JSON, {quads_of(document)} quads")
    measured = figures()
    baseline = dict(measured)["raw_ed25519_verify"]
    for name, rate in measured:
        print(f"BENCH {name} {rate:.1f} {rate / baseline:.4f}")
    rates = dict(measured)
    for label, document in inputs:
        quads = quads_of(document)
        sign, verify = (rates[f"rdfc_{label}_fast_{operation}"] for operation in ("sign", "verify"))
        per_second = f"sign {sign * quads:,.0f}, verify {verify * quads:,.0f}"
        print(f"# rdfc_{label} quads/s on the fast path: {per_second}")


def quads_of(document: dict[str, Any]) -> int:
    """The number of quads of the document's RDF dataset (its canonical N-Quads lines)."""
    return canonicalize_jsonld(document).count("\n")


if __name__ == "__main__":
    main()
