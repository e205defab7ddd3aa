from django.apps import AppConfig
from django.db.models.signals import pre_save


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace: people, skills and availability"

    def ready(self) -> None:
        from allauth.socialaccount.signals import social_account_added

        from marketplace.api_tokens import delete_token_on_password_change
        from marketplace.models import User
        from marketplace.sso_adapter import confirm_connected_addresses

        pre_save.connect(delete_token_on_password_change, sender=User, dispatch_uid="api-token-password")
        social_account_added.connect(confirm_connected_addresses, dispatch_uid="sso-confirm-addresses")
