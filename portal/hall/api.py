from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from portal.hall import selectors


class DepartmentOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    window = serializers.CharField()
    item_count = serializers.IntegerField()


# The departments stationed in the hall, with how many catalogue items each handles.
class DepartmentListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = DepartmentOutput
    filter_backends: list = []

    def get_queryset(self):
        return selectors.department_list()
