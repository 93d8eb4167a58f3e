"""ORM models of the application database (the bridge is its only owner), one module per area.

Importing this package registers every table on `Base.metadata` (Alembic and the schema
checks read it), so callers import the models from here.
"""

from bridge.db.models.base import Base, BigIntId, utcnow
from bridge.db.models.conversations import (
    NOT_ERASED,
    SEARCH_INDEX_NAMES,
    Conversation,
    Message,
)
from bridge.db.models.handoffs import (
    ACTIVE_HANDOFF,
    MISSED_OPEN,
    PENDING_TRANSFER,
    PERSONAL_REPLY,
    SHARED_REPLY,
    ConversationNote,
    Handoff,
    HandoffTransfer,
    OfflineRequest,
    SavedReply,
)
from bridge.db.models.knowledge import KbArticle, KbRevision, UnansweredQuestion
from bridge.db.models.measures import (
    REFERRAL_SOURCES,
    AnswerFeedback,
    Goal,
    NpsSurvey,
    ReferralAnswer,
    ReferralSource,
    ReviewClick,
    ReviewInvitation,
)
from bridge.db.models.staff import PrivacyAudit, User

__all__ = [
    "ACTIVE_HANDOFF",
    "MISSED_OPEN",
    "NOT_ERASED",
    "PENDING_TRANSFER",
    "PERSONAL_REPLY",
    "REFERRAL_SOURCES",
    "SEARCH_INDEX_NAMES",
    "SHARED_REPLY",
    "AnswerFeedback",
    "Base",
    "BigIntId",
    "Conversation",
    "ConversationNote",
    "Goal",
    "Handoff",
    "HandoffTransfer",
    "KbArticle",
    "KbRevision",
    "Message",
    "NpsSurvey",
    "OfflineRequest",
    "PrivacyAudit",
    "ReferralAnswer",
    "ReferralSource",
    "ReviewClick",
    "ReviewInvitation",
    "SavedReply",
    "UnansweredQuestion",
    "User",
    "utcnow",
]
