"""The NinjaAPI: one instance, routers from each app, domain errors mapped to problem details."""

from ninja import NinjaAPI

api = NinjaAPI(title="Arrears API", version="1", urls_namespace="api-v1")
