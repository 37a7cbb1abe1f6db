import { randomBytes, randomUUID } from 'node:crypto';
import type { Room, RoomDocument, RoomSettings } from '../core/rooms.js';
import type { Queries, ServiceDatabase, Transaction } from './database.js';

interface RoomRow {
  id: string;
  name: string;
  welcome: string;
  recording_allowed: number;
  waiting_room: number;
  mute_on_start: number;
  max_participants: number;
  invite_code: string;
  first_document_id: string | null;
  created_at: number | string;
}

interface DocumentRow {
  id: string;
  room_id: string;
  storage_id: string;
  filename: string;
  size: number | string;
  sha256: string;
  position: number;
  downloadable: number;
  created_at: number | string;
}

export interface Session {
  readonly username: string;
  readonly displayName: string;
  readonly groups: readonly string[];
  readonly expiresAt: number;
}

const toRoom = (row: RoomRow): Room => ({
  id: row.id,
  name: row.name,
  settings: {
    welcome: row.welcome,
    recordingAllowed: row.recording_allowed === 1,
    waitingRoom: row.waiting_room === 1,
    muteOnStart: row.mute_on_start === 1,
    maxParticipants: row.max_participants,
  },
  inviteCode: row.invite_code,
  firstDocumentId: row.first_document_id,
  createdAt: Number(row.created_at),
});

const toDocument = (row: DocumentRow): RoomDocument => ({
  id: row.id,
  roomId: row.room_id,
  storageId: row.storage_id,
  filename: row.filename,
  size: Number(row.size),
  sha256: row.sha256,
  position: row.position,
  downloadable: row.downloadable === 1,
  createdAt: Number(row.created_at),
});

/** The settings as the columns welcome, recording_allowed, waiting_room, mute_on_start, max_participants hold them. */
const settingsColumns = (settings: RoomSettings) =>
  [
    settings.welcome,
    settings.recordingAllowed ? 1 : 0,
    settings.waitingRoom ? 1 : 0,
    settings.muteOnStart ? 1 : 0,
    settings.maxParticipants,
  ] as const;

const ROOM_COLUMNS =
  'r.id, r.name, r.welcome, r.recording_allowed, r.waiting_room, r.mute_on_start, r.max_participants, r.invite_code, r.first_document_id, r.created_at';

/** What the service keeps, in its database: rooms and who owns them, documents' metadata, sessions. */
export function createRepository(db: ServiceDatabase) {
  const documentsOf = async (q: Queries, roomId: string) =>
    (
      await q.all<DocumentRow>(
        'SELECT id, room_id, storage_id, filename, size, sha256, position, downloadable, created_at FROM bbb_documents WHERE room_id = $1 ORDER BY position, created_at',
        [roomId],
      )
    ).map(toDocument);

  return {
    async createRoom(owner: string, name: string, settings: RoomSettings, now: number): Promise<Room> {
      const id = randomUUID();
      const inviteCode = randomBytes(16).toString('base64url');
      await db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO bbb_rooms (id, name, welcome, recording_allowed, waiting_room, mute_on_start, max_participants, invite_code, first_document_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)`,
          [id, name, ...settingsColumns(settings), inviteCode, now],
        );
        await tx.run('INSERT INTO bbb_room_owners (room_id, username, added_at) VALUES ($1, $2, $3)', [id, owner, now]);
      });
      return { id, name, settings, inviteCode, firstDocumentId: null, createdAt: now };
    },

    /** The rooms this person owns or co-owns, newest first. */
    async roomsOf(username: string): Promise<Room[]> {
      return (
        await db.all<RoomRow>(
          `SELECT ${ROOM_COLUMNS} FROM bbb_rooms r JOIN bbb_room_owners o ON o.room_id = r.id
           WHERE o.username = $1 ORDER BY r.created_at DESC LIMIT 500`,
          [username],
        )
      ).map(toRoom);
    },

    /** The room, when this person owns or co-owns it; null otherwise (the same answer as for no room). */
    async roomFor(username: string, roomId: string): Promise<Room | null> {
      const row = await db.get<RoomRow>(
        `SELECT ${ROOM_COLUMNS} FROM bbb_rooms r JOIN bbb_room_owners o ON o.room_id = r.id
         WHERE r.id = $1 AND o.username = $2`,
        [roomId, username],
      );
      return row ? toRoom(row) : null;
    },

    async roomById(roomId: string): Promise<Room | null> {
      const row = await db.get<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM bbb_rooms r WHERE r.id = $1`, [roomId]);
      return row ? toRoom(row) : null;
    },

    async roomByInvite(code: string): Promise<Room | null> {
      const row = await db.get<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM bbb_rooms r WHERE r.invite_code = $1`, [code]);
      return row ? toRoom(row) : null;
    },

    async updateRoom(roomId: string, name: string, settings: RoomSettings): Promise<void> {
      await db.run(
        `UPDATE bbb_rooms SET name = $1, welcome = $2, recording_allowed = $3, waiting_room = $4, mute_on_start = $5,
           max_participants = $6 WHERE id = $7`,
        [name, ...settingsColumns(settings), roomId],
      );
    },

    /** Deletes the room, its owners, documents and recordings' metadata; returns the stored documents to remove. */
    async deleteRoom(roomId: string): Promise<{ storageIds: string[]; recordIds: string[] }> {
      return db.transaction(async (tx) => {
        const storageIds = (
          await tx.all<{ storage_id: string }>('SELECT storage_id FROM bbb_documents WHERE room_id = $1', [roomId])
        ).map((r) => r.storage_id);
        const recordIds = (
          await tx.all<{ record_id: string }>('SELECT record_id FROM bbb_recordings WHERE room_id = $1', [roomId])
        ).map((r) => r.record_id);
        // Explicit, not only ON DELETE CASCADE: a SQLite opened without foreign_keys would keep them.
        await tx.run('DELETE FROM bbb_documents WHERE room_id = $1', [roomId]);
        await tx.run('DELETE FROM bbb_recordings WHERE room_id = $1', [roomId]);
        await tx.run('DELETE FROM bbb_room_owners WHERE room_id = $1', [roomId]);
        await tx.run('DELETE FROM bbb_rooms WHERE id = $1', [roomId]);
        return { storageIds, recordIds };
      });
    },

    async owners(roomId: string): Promise<string[]> {
      return (
        await db.all<{ username: string }>(
          'SELECT username FROM bbb_room_owners WHERE room_id = $1 ORDER BY added_at, username',
          [roomId],
        )
      ).map((r) => r.username);
    },

    /** false when the person already co-owns it, or the room has 50 owners already. */
    async addOwner(roomId: string, username: string, now: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const count = await tx.get<{ n: number | string }>(
          'SELECT count(*) AS n FROM bbb_room_owners WHERE room_id = $1',
          [roomId],
        );
        if (Number(count?.n ?? 0) >= 50) return false;
        const exists = await tx.get('SELECT 1 AS x FROM bbb_room_owners WHERE room_id = $1 AND username = $2', [
          roomId,
          username,
        ]);
        if (exists) return false;
        await tx.run('INSERT INTO bbb_room_owners (room_id, username, added_at) VALUES ($1, $2, $3)', [
          roomId,
          username,
          now,
        ]);
        return true;
      });
    },

    /** Never the last owner: a room always has someone who can delete it. */
    async removeOwner(roomId: string, username: string): Promise<'removed' | 'last' | 'absent'> {
      return db.transaction(async (tx) => {
        const owners = await tx.all<{ username: string }>('SELECT username FROM bbb_room_owners WHERE room_id = $1', [
          roomId,
        ]);
        if (!owners.some((o) => o.username === username)) return 'absent';
        if (owners.length <= 1) return 'last';
        await tx.run('DELETE FROM bbb_room_owners WHERE room_id = $1 AND username = $2', [roomId, username]);
        return 'removed';
      });
    },

    documents: (roomId: string) => documentsOf(db, roomId),

    async document(documentId: string): Promise<RoomDocument | null> {
      const row = await db.get<DocumentRow>(
        'SELECT id, room_id, storage_id, filename, size, sha256, position, downloadable, created_at FROM bbb_documents WHERE id = $1',
        [documentId],
      );
      return row ? toDocument(row) : null;
    },

    /** Adds at the end; null when the room already holds `maxPerRoom` documents. */
    async addDocument(
      roomId: string,
      stored: { storageId: string; filename: string; size: number; sha256: string },
      maxPerRoom: number,
      now: number,
    ): Promise<RoomDocument | null> {
      return db.transaction(async (tx) => {
        const current = await tx.get<{ n: number | string; last: number | null }>(
          'SELECT count(*) AS n, max(position) AS last FROM bbb_documents WHERE room_id = $1',
          [roomId],
        );
        if (Number(current?.n ?? 0) >= maxPerRoom) return null;
        const position = current?.last == null ? 0 : Number(current.last) + 1;
        const id = randomUUID();
        await tx.run(
          `INSERT INTO bbb_documents (id, room_id, storage_id, filename, size, sha256, position, downloadable, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)`,
          [id, roomId, stored.storageId, stored.filename, stored.size, stored.sha256, position, now],
        );
        return { id, roomId, ...stored, position, downloadable: false, createdAt: now };
      });
    },

    async reorder(roomId: string, positions: readonly { id: string; position: number }[]): Promise<void> {
      await db.transaction(async (tx: Transaction) => {
        for (const { id, position } of positions)
          await tx.run('UPDATE bbb_documents SET position = $1 WHERE id = $2 AND room_id = $3', [position, id, roomId]);
      });
    },

    async setFirst(roomId: string, documentId: string | null): Promise<void> {
      await db.run('UPDATE bbb_rooms SET first_document_id = $1 WHERE id = $2', [documentId, roomId]);
    },

    async setDownloadable(roomId: string, documentId: string, downloadable: boolean): Promise<void> {
      await db.run('UPDATE bbb_documents SET downloadable = $1 WHERE id = $2 AND room_id = $3', [
        downloadable ? 1 : 0,
        documentId,
        roomId,
      ]);
    },

    /** Removes the row (and the room's choice of it as first); returns the stored document to remove, or null. */
    async deleteDocument(roomId: string, documentId: string): Promise<string | null> {
      return db.transaction(async (tx) => {
        const row = await tx.get<{ storage_id: string }>(
          'SELECT storage_id FROM bbb_documents WHERE id = $1 AND room_id = $2',
          [documentId, roomId],
        );
        if (!row) return null;
        await tx.run('DELETE FROM bbb_documents WHERE id = $1', [documentId]);
        await tx.run('UPDATE bbb_rooms SET first_document_id = NULL WHERE id = $1 AND first_document_id = $2', [
          roomId,
          documentId,
        ]);
        return row.storage_id;
      });
    },

    /**
     * A recording is ready: kept (its id, the meeting, the room or group) once, and for a group's meeting the
     * portal event is queued in the same transaction. false when it was known already (BigBlueButton retries).
     */
    async recordingReady(
      recording: { recordId: string; meetingId: string; roomId: string | null; groupId: string | null },
      now: number,
      event: ((tx: Transaction) => Promise<void>) | null,
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const known = await tx.get('SELECT 1 AS x FROM bbb_recordings WHERE record_id = $1', [recording.recordId]);
        if (known) return false;
        await tx.run(
          'INSERT INTO bbb_recordings (record_id, meeting_id, room_id, group_id, ready_at) VALUES ($1, $2, $3, $4, $5)',
          [recording.recordId, recording.meetingId, recording.roomId, recording.groupId, now],
        );
        if (event) await event(tx);
        return true;
      });
    },

    async forgetRecording(recordId: string): Promise<void> {
      await db.run('DELETE FROM bbb_recordings WHERE record_id = $1', [recordId]);
    },

    /**
     * A group's meeting was created (not found running): kept with its createTime, and `meeting.started` queued in
     * the same transaction. A second start of the same meeting (same createTime) queues nothing.
     */
    async groupMeetingStarted(
      meeting: { meetingId: string; groupId: string; name: string; createTime: string },
      now: number,
      event: (tx: Transaction) => Promise<void>,
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const known = await tx.get<{ create_time: string }>(
          'SELECT create_time FROM bbb_group_meetings WHERE meeting_id = $1',
          [meeting.meetingId],
        );
        if (known?.create_time === meeting.createTime) return false;
        if (known)
          await tx.run(
            'UPDATE bbb_group_meetings SET create_time = $1, started_at = $2, name = $3 WHERE meeting_id = $4',
            [meeting.createTime, now, meeting.name, meeting.meetingId],
          );
        else
          await tx.run(
            'INSERT INTO bbb_group_meetings (meeting_id, group_id, name, started_at, create_time) VALUES ($1, $2, $3, $4, $5)',
            [meeting.meetingId, meeting.groupId, meeting.name, now, meeting.createTime],
          );
        await event(tx);
        return true;
      });
    },

    async groupOfMeeting(meetingId: string): Promise<string | null> {
      const row = await db.get<{ group_id: string }>('SELECT group_id FROM bbb_group_meetings WHERE meeting_id = $1', [
        meetingId,
      ]);
      return row?.group_id ?? null;
    },

    async groupMeetingName(meetingId: string): Promise<string | null> {
      const row = await db.get<{ name: string }>('SELECT name FROM bbb_group_meetings WHERE meeting_id = $1', [
        meetingId,
      ]);
      return row?.name ?? null;
    },

    async createSession(idHash: string, session: Session): Promise<void> {
      await db.run(
        'INSERT INTO bbb_sessions (id_hash, username, display_name, groups, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [idHash, session.username, session.displayName, JSON.stringify(session.groups), session.expiresAt],
      );
    },

    async session(idHash: string, now: number): Promise<Session | null> {
      const row = await db.get<{ username: string; display_name: string; groups: string; expires_at: number | string }>(
        'SELECT username, display_name, groups, expires_at FROM bbb_sessions WHERE id_hash = $1 AND expires_at > $2',
        [idHash, now],
      );
      if (!row) return null;
      return {
        username: row.username,
        displayName: row.display_name,
        groups: JSON.parse(row.groups) as string[],
        expiresAt: Number(row.expires_at),
      };
    },

    async deleteSession(idHash: string): Promise<void> {
      await db.run('DELETE FROM bbb_sessions WHERE id_hash = $1', [idHash]);
    },

    /** Single use of a sign-in's state (packages/oidc-login), kept until it expires. */
    async claimLogin(id: string, expiresAt: number): Promise<boolean> {
      return (
        (await db.run('INSERT INTO bbb_used_logins (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
          id,
          expiresAt,
        ])) === 1
      );
    },

    /** Ended sessions and used sign-in states go: nothing about a person outlives their session. */
    async sweep(now: number): Promise<number> {
      const sessions = await db.run('DELETE FROM bbb_sessions WHERE expires_at <= $1', [now]);
      const logins = await db.run('DELETE FROM bbb_used_logins WHERE expires_at <= $1', [now]);
      return sessions + logins;
    },
  };
}

export type Repository = ReturnType<typeof createRepository>;
