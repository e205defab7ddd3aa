from django.apps import AppConfig
from django.db.models.signals import pre_save


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace: people, skills and availability"

    def ready(self) -> None:
        from marketplace.api_tokens import delete_token_on_password_change
        from marketplace.models import User

        pre_save.connect(delete_token_on_password_change, sender=User, dispatch_uid="api-token-password")
