"""The tools' names, which the approval modules need without building any tool."""

LIST_USERS = "okta_list_users"
GET_USER = "okta_get_user"
CREATE_USER = "okta_create_user"
UPDATE_USER = "okta_update_user"
