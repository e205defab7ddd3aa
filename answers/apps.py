from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "answers"
    label = "answers"
    verbose_name = "Written answers to requests"
