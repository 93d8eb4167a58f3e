"""The services of one bridge process, built once in the app's lifespan (bridge/app.py) and
handed to the routes through typed dependencies (bridge/api/deps.py)."""

import asyncio
import functools
import gc
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bridge.db.engine import create_engine, create_sessionmaker
from bridge.services.after_agent_survey import AfterAgentSurvey
from bridge.services.agent_console import AgentConsole
from bridge.services.agent_sockets import AgentSockets
from bridge.services.article_store import ArticleStore
from bridge.services.business_hours import BusinessHours
from bridge.services.chat import ChatLimits, ChatService
from bridge.services.conversation_limits import NewConversationLimits
from bridge.services.customer_presence import CustomerPresence
from bridge.services.goals import GoalService
from bridge.services.handoff import HandoffService
from bridge.services.help_votes import HelpVotes
from bridge.services.index_sync import IndexSync
from bridge.services.missed_chats import MissedChats
from bridge.services.offline_requests import OfflineRequests
from bridge.services.ports import AgentPresence, EventBus
from bridge.services.privacy import PrivacyService
from bridge.services.queue_hygiene import QueueHygiene
from bridge.services.rasa_client import RasaClient
from bridge.services.rasa_tracker_store import TrackerStore, tracker_store
from bridge.services.readiness import Readiness
from bridge.services.retention import Retention
from bridge.services.saved_replies import SavedReplies
from bridge.services.shared_state import SharedState, build_shared_state
from bridge.services.staff_auth import StaffAuth
from bridge.services.staff_sessions import StaffSessionTokens
from bridge.services.studio import Studio
from bridge.services.tokens import CustomerTokens
from bridge.services.transfer import TransferService
from bridge.settings import Settings
from knowledge_base.search import SearchResult
from knowledge_base.service import KnowledgeBase
from knowledge_base.settings import KBSettings

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What the routes need, built once per process in the lifespan."""

    settings: Settings
    kb_settings: KBSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    rasa: RasaClient
    hub: EventBus
    chat: ChatService
    staff_auth: StaffAuth
    presence: AgentPresence
    handoffs: HandoffService
    customers: CustomerPresence
    agent_sockets: AgentSockets
    shared: SharedState
    console: AgentConsole
    goals: GoalService
    offline_requests: OfflineRequests
    readiness: Readiness
    articles: ArticleStore
    index_sync: IndexSync
    help_votes: HelpVotes
    studio: Studio
    conversation_limits: NewConversationLimits
    tracker_store: TrackerStore
    privacy: PrivacyService
    retention: Retention
    queue_hygiene: QueueHygiene
    missed_chats: MissedChats
    transfers: TransferService
    saved_replies: SavedReplies
    _knowledge_base: KnowledgeBase | None = field(default=None, repr=False)
    _knowledge_base_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def knowledge_base(self) -> KnowledgeBase:
        """The bot's search and models, for the help center, the studio and the agents'
        article search; created on first use (the warm-up thread may be first)."""
        with self._knowledge_base_lock:
            if self._knowledge_base is None:
                self._knowledge_base = KnowledgeBase(self.kb_settings)
            return self._knowledge_base

    def start_warm_up(self) -> None:
        """Load the models and the index in a background thread: the first publish (which
        indexes) and the first search are then as fast as the later ones."""

        def warm_up() -> None:
            try:
                self.knowledge_base().warm_up()
            except Exception:  # nothing indexed yet, or a model that fails: the first use says
                log.exception("warming up the knowledge base failed")
            if self.settings.gc_freeze:  # the models stay for good too (see app.py)
                gc.collect()
                gc.freeze()

        threading.Thread(target=warm_up, name="kb-warm-up", daemon=True).start()

    async def search_articles(self, query: str, *, language: str, top_k: int) -> SearchResult:
        """The bot's own search (agents' article search, help center, studio), off the event
        loop; raises KBIndexError while nothing is indexed."""
        search = functools.partial(
            self.knowledge_base().search, query, language=language, top_k=top_k
        )
        return await asyncio.to_thread(search)


def build_services(settings: Settings, kb_settings: KBSettings) -> Services:
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    rasa = RasaClient(
        base_urls=settings.rasa_servers,
        token=settings.rasa_token,
        timeout_s=settings.rasa_timeout_s,
    )
    shared = build_shared_state(settings)
    hub, presence = shared.bus, shared.presence
    chat = ChatService(
        sessions=sessions,
        rasa=rasa,
        hub=hub,
        limiter=shared.message_limit,
        tokens=CustomerTokens(secret=settings.secret_key, ttl_s=settings.customer_token_ttl_s),
        limits=ChatLimits(
            max_message_chars=settings.max_message_chars,
            relay_retry_after_s=settings.relay_retry_after_s,
            relay_give_up_after_s=settings.relay_give_up_after_s,
        ),
        turns=shared.turns,
    )
    # The hygiene needs the handoff service, built below; the closure finds it when called.
    customers = CustomerPresence(
        hub, shared.connections, on_change=lambda *change: hygiene.presence_changed(*change)
    )
    articles = ArticleStore(sessions)
    handoffs = HandoffService(
        sessions=sessions,
        hub=hub,
        rasa=rasa,
        presence=presence,
        hours=BusinessHours(
            hours=settings.business_hours,
            zone=settings.business_timezone,
            holidays=settings.business_holidays,
        ),
        max_message_chars=settings.max_message_chars,
        minutes_per_customer=settings.handoff_minutes_per_customer,
        survey=AfterAgentSurvey(
            sessions=sessions,
            rasa=rasa,
            enabled=settings.nps_after_agent,
            customer_present=customers.present,
        ),
    )
    hygiene = QueueHygiene(
        sessions=sessions,
        hub=hub,
        customer_present=customers.present,
        resume=lambda conversation_id, language: rasa.resume(
            conversation_id=conversation_id, language=language
        ),
        publish_queue=handoffs.publish_queue,
        abandon_after_s=settings.queue_abandon_after_s,
        minutes_per_customer=settings.handoff_minutes_per_customer,
    )
    tracker = tracker_store(settings.rasa_tracker_url)
    services = Services(
        settings,
        kb_settings,
        engine,
        sessions,
        rasa,
        hub,
        chat,
        staff_auth=StaffAuth(
            sessions=sessions,
            tokens=StaffSessionTokens(
                secret=settings.secret_key, ttl_s=settings.staff_session_ttl_s
            ),
            by_email=shared.login_failures_by_email,
            by_ip=shared.login_failures_by_ip,
            by_source=shared.login_failures_by_source,
            slow_down_s=settings.sign_in_slow_down_s,
        ),
        presence=presence,
        handoffs=handoffs,
        customers=customers,
        agent_sockets=AgentSockets(shared.connections, shared.timers, handoffs.requeue_agent),
        shared=shared,
        console=AgentConsole(
            sessions=sessions, handoffs=handoffs, customer_present=customers.present
        ),
        goals=GoalService(sessions),
        offline_requests=OfflineRequests(sessions, hub),
        readiness=Readiness(
            engine=engine, rasa=rasa, action_server_url=settings.action_server_url, shared=shared
        ),
        articles=articles,
        index_sync=IndexSync(
            articles,
            kb_settings,
            lambda: services.knowledge_base().embedders,
            after_build=lambda: services.knowledge_base().refresh(),
        ),
        help_votes=HelpVotes(sessions, articles, shared.help_votes_by_ip),
        studio=Studio(sessions, articles, kb_settings.review_after_days),
        conversation_limits=NewConversationLimits(
            by_ip=shared.new_conversations_by_ip, by_visitor=shared.new_conversations_by_visitor
        ),
        tracker_store=tracker,
        privacy=PrivacyService(sessions=sessions, tracker=tracker, secret=settings.secret_key),
        retention=Retention(sessions=sessions, tracker=tracker, days=settings.retention_days),
        queue_hygiene=hygiene,
        missed_chats=MissedChats(sessions, hub),
        transfers=TransferService(
            sessions=sessions,
            hub=hub,
            presence=presence,
            handoffs=handoffs,
            offer_timeout_s=settings.transfer_offer_timeout_s,
        ),
        saved_replies=SavedReplies(sessions=sessions, max_chars=settings.max_message_chars),
    )
    return services
