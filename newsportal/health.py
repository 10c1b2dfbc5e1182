"""Liveness and readiness probes for load balancers and orchestrators."""

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Which dependency is down. Only the database makes the node unready: without the
    cache every page still answers from PostgreSQL, and taking every node out of the
    balancer for a Redis outage would turn a slower site into no site."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    if not checks["database"]:
        status = "unavailable"
    elif not checks["cache"]:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "unavailable" else 200
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _cache_ok() -> bool:
    try:
        cache.set("readyz", "1", 5)
        return cache.get("readyz") == "1"
    except Exception:
        return False
